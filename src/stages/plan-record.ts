/** The plan as the log prints it and as the report records it (`report.plan`), whichever stage planned. */
import type { Report } from '../report/model.js'
import { type AddonPlan, downloadsOf } from '../upgrade/addon-plan.js'
import type { Plan } from '../upgrade/plan.js'

export function describePlan({ core: corePlan, addons: addonPlan }: Plan): string {
  const hops = corePlan.hops.map(
    (h) => `${h.kind} ${h.channelText} (Kubernetes 1.${h.minor}${h.storeVersion ? `, ${h.storeVersion}` : ''})`
  )
  const lines = [
    `Core: ${corePlan.kind}${corePlan.fromMinor !== undefined ? ` from 1.${corePlan.fromMinor}` : ''} to 1.${corePlan.targetMinor}${hops.length ? `: ${hops.join(' → ')}` : ': nothing to do'}`,
    `Addons: ${addonPlan.cycling ? 'cycle' : 'no cycle'} (${addonPlan.why})`
  ]
  if (addonPlan.cycle.length && addonPlan.pendingComparison) {
    lines.push(`  candidates (cycled if changed): ${addonPlan.cycle.map((s) => s.name).join(', ')}`)
  } else if (addonPlan.cycle.length) {
    lines.push(
      `  disable: ${[...addonPlan.cycle]
        .reverse()
        .map((s) => s.name)
        .join(' → ')}`
    )
    lines.push(`  enable:  ${addonPlan.cycle.map((s) => (s.args ? `${s.name}:${s.args}` : s.name)).join(' → ')}`)
    for (const s of addonPlan.cycle) if (s.why) lines.push(`  cycle ${s.name}: ${s.why}`)
  }
  for (const k of addonPlan.kept) lines.push(`  keep ${k.name}: ${k.reason}`)
  if (addonPlan.enableAfter.length) lines.push(`  then enable: ${addonPlan.enableAfter.map((s) => s.name).join(' → ')}`)
  if (addonPlan.unknownOrder.length)
    lines.push(
      `  order of ${addonPlan.unknownOrder.join(', ')} is not known to the catalog: cycled after the known addons`
    )
  return [...lines, ...downloadNotes(addonPlan), ...corePlan.notes].join('\n')
}

/** One note per addon the plan enables that needs the internet (checked reachable before the first disable). */
export function downloadNotes(addonPlan: AddonPlan): string[] {
  if (addonPlan.pendingComparison) return []
  return downloadsOf(addonPlan).map(
    ({ name, what }) =>
      `${name}: the ${addonPlan.toRelease} enable downloads ${what.join(' and ')} from the internet; ` +
      `the runner must reach them (checked before the first disable)`
  )
}

export function recordPlan(report: Report, { core: corePlan, addons: addonPlan }: Plan): void {
  report.target.minor = corePlan.targetMinor
  report.plan = {
    kind: corePlan.kind,
    ...(corePlan.fromMinor !== undefined ? { fromMinor: corePlan.fromMinor } : {}),
    targetMinor: corePlan.targetMinor,
    hops: corePlan.hops.map((h) => h.channelText),
    cycling: addonPlan.cycling,
    cyclingWhy: addonPlan.why,
    enableOrder: addonPlan.cycle.map((s) => s.name),
    disableOrder: [...addonPlan.cycle].reverse().map((s) => s.name),
    thenEnable: addonPlan.enableAfter.map((s) => s.name),
    notes: [
      ...corePlan.notes,
      ...downloadNotes(addonPlan),
      ...(addonPlan.unknownOrder.length
        ? [
            `dependency order of ${addonPlan.unknownOrder.join(', ')} is not known: cycled after the known addons, in the order status lists them`
          ]
        : [])
    ]
  }
  for (const kept of addonPlan.kept) {
    const warning = `${kept.name} not cycled: ${kept.reason}`
    // Kept because a setting could not be carried through a cycle, or its state could not be captured.
    const warn = kept.policy === 'no-args' || kept.policy === 'args-not-accepted' || kept.policy === 'not-captured'
    if (warn && !report.warnings.includes(warning)) report.warnings.push(warning)
  }
}

/** `cycle: ingress (…); unchanged between 1.28 and 1.30: dns` for the comparison step. */
export function describeComparison(plan: AddonPlan): string {
  const cycled = plan.cycle.map((s) => `${s.name} (${s.why})`)
  const unchanged = plan.kept.filter((k) => k.policy === 'unchanged').map((k) => k.name)
  return [
    `cycle: ${cycled.join(', ') || 'none'}`,
    ...(unchanged.length
      ? [`unchanged between ${plan.fromRelease} and ${plan.toRelease}: ${unchanged.join(', ')}`]
      : [])
  ].join('; ')
}
