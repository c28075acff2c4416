// The 1.35+ Traefik ingress disable deletes the Gateway API v1.4.0 and every traefik.io CRD, and with them every
// Gateway, HTTPRoute, IngressRoute and Middleware in every namespace (canonical/microk8s-core-addons 1.35 and main,
// addons/ingress/disable). Cycling it keeps them all: captured before, put back after the enable, checked by name;
// what cannot be captured keeps the ingress; an enable whose downloads are unreachable stops the run before the
// first disable.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { run, commandLines, mutatingCommands, object } from './harness.js'
import { validateReport } from '../helpers/schema.js'
import type { ActionRun } from '../../scripts/run-action.mjs'

const CHECK = 'Gateway API and Traefik objects'
const check = (r: ActionRun, name: string) => r.report.dataChecks.find((c: any) => c.name === name)

/** The user's routes of sim/scenarios/gateway-api.yaml, each with what proves it is the same object. */
function expectRoutesKept(r: ActionRun): void {
  expect(object(r, 'Gateway', 'web', 'shop').spec.listeners[0].hostname).toBe('shop.example.com')
  expect(object(r, 'HTTPRoute', 'web', 'shop').spec.parentRefs).toEqual([{ name: 'shop' }])
  expect(object(r, 'Middleware', 'api', 'strip-api').spec.stripPrefix.prefixes).toEqual(['/api'])
  expect(object(r, 'IngressRoute', 'api', 'api').spec.routes[0].middlewares).toEqual([{ name: 'strip-api' }])
  expect(object(r, 'TLSOption', 'api', 'modern').spec.minVersion).toBe('VersionTLS13')
  expect(object(r, 'Secret', 'ingress', 'default-tls').data['tls.key']).toBe('a2V5')
}

function expectCheckNamesThem(r: ActionRun): void {
  const c = check(r, CHECK)
  expect(c).toMatchObject({ ok: true, checked: true })
  for (const name of ['Gateway web/shop', 'HTTPRoute web/shop', 'IngressRoute api/api', 'Middleware api/strip-api'])
    expect(c.after).toContain(name)
  // The chart's own objects are the addon's: made again by the enable, not captured.
  expect(c.before).not.toContain('traefik-gateway')
  expect(r.summary).toContain(CHECK)
  expect(r.summary).toContain('HTTPRoute web/shop')
}

describe.concurrent('a 1.35 cluster with Gateway API and Traefik routes', () => {
  it('refreshed with cycle-addons: always keeps every route, checked by name', async () => {
    const r = await run('gateway-api', { channel: '1.35/stable', 'cycle-addons': 'always' })
    expect(r.code, r.stdout).toBe(0)
    expect(validateReport(r.report)).toEqual([])
    const lines = commandLines(r)
    expect(lines).toContain('microk8s disable ingress')
    expect(lines).toContain('microk8s enable ingress --default-ssl-certificate ingress/default-tls')
    // Read at each CRD's served storage version, across namespaces, before the plan.
    expect(
      lines.some((l) => /^microk8s kubectl get .*gateways\.v1\.gateway\.networking\.k8s\.io.* -A -o json$/.test(l))
    ).toBe(true)
    expectRoutesKept(r)
    expectCheckNamesThem(r)
    expect(check(r, 'ingress Secrets')).toMatchObject({ ok: true })
    expect(r.report.plan.notes.join('\n')).toMatch(
      /ingress: the 1\.35 enable downloads the Traefik Helm chart repository/
    )
    expect(r.report.steps.find((s: any) => s.name === 'check downloads')).toMatchObject({ status: 'ok' })
    // The check ran before the first disable.
    const checked = r.report.steps.findIndex((s: any) => s.name === 'check downloads')
    expect(checked).toBeLessThan(r.report.steps.findIndex((s: any) => s.name === 'addon cycle'))
  })

  it('upgraded to 1.36 (main: Gateway API v1.5.1, chart 39.0.8) keeps every route, checked by name', async () => {
    const r = await run('gateway-api', { channel: '1.36/stable', 'cycle-addons': 'always' })
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.hops).toBe('1.36/stable')
    expectRoutesKept(r)
    expectCheckNamesThem(r)
    // The new enable's CRDs: ListenerSet from v1.5.1, no hub.traefik.io.
    const crds = r.state.cluster.objects.filter((o: any) => o.kind === 'CustomResourceDefinition')
    expect(crds.map((o: any) => o.metadata.name)).toContain('listenersets.gateway.networking.k8s.io')
    expect(crds.filter((o: any) => o.metadata.name.endsWith('.hub.traefik.io'))).toEqual([])
    expect(object(r, 'DaemonSet', 'ingress', 'traefik').spec.template.spec.containers[0].image).toBe(
      'docker.io/traefik:v3.6.13'
    )
  })

  it('a read that fails every attempt keeps the ingress, with the reason in the plan; the rest is cycled', async () => {
    const r = await run(
      'gateway-api',
      { channel: '1.35/stable', 'cycle-addons': 'always' },
      {
        overrides: {
          faults: [
            {
              match: '^microk8s kubectl get .*gateways\\.v1\\.gateway\\.networking\\.k8s\\.io',
              times: 99,
              exit: 1,
              stderr: 'Unable to connect to the server: net/http: TLS handshake timeout'
            }
          ]
        }
      }
    )
    expect(r.code, r.stdout).toBe(0)
    const lines = commandLines(r)
    expect(lines).not.toContain('microk8s disable ingress')
    expect(lines).toContain('microk8s disable dns')
    const ingress = r.report.addons.find((a: any) => a.name === 'ingress')
    expect(ingress.status).toBe('kept')
    expect(ingress.note).toMatch(/could not read the objects of .*\(3 attempts\).*TLS handshake timeout/)
    expect(ingress.note).toMatch(/ingress is kept as it runs \(not cycled\)/)
    expect(r.report.warnings.join('\n')).toMatch(/ingress not cycled: could not read/)
    expectRoutesKept(r)
  })

  it('an unreachable download source stops the run before the first disable, nothing deleted', async () => {
    const r = await run(
      'gateway-api',
      { channel: '1.35/stable', 'cycle-addons': 'always' },
      { overrides: { internet: { reachable: false } } }
    )
    expect(r.code).toBe(1)
    expect(mutatingCommands(r).filter((l) => /^microk8s (disable|enable)/.test(l))).toEqual([])
    expect(r.report.failure.step).toBe('check downloads')
    expect(r.report.failure.message).toMatch(
      /ingress: the 1\.35 enable downloads the Traefik Helm chart repository from http:\/\/127\.0\.0\.1:\d+\/unreachable\/traefik\/charts, which this runner cannot reach \(ECONNRESET.*No addon was disabled/
    )
    expect(commandLines(r)).toContain(`cat /snap/microk8s/current/addons/core/addons/ingress/enable`)
    expectRoutesKept(r)
    expect(validateReport(r.report)).toEqual([])
  })

  it('a job killed mid-cycle: the post step puts the routes back from the journal', async () => {
    const r = await run(
      'gateway-api',
      { channel: '1.35/stable', 'cycle-addons': 'always' },
      {
        post: true,
        interruptAfter: '^microk8s disable dns$',
        overrides: { latency: { microk8s: 1, 'microk8s enable': 8, 'microk8s disable': 5, 'microk8s addons': 300 } }
      }
    )
    expect(r.signal).toBe('SIGKILL')
    const journal = r.savedState['cycle-journal']
    expect(fs.existsSync(journal)).toBe(false)
    expect(r.post?.code, r.post?.stdout).toBe(0)
    expect(commandLines(r)).toContain('microk8s enable ingress --default-ssl-certificate ingress/default-tls')
    expectRoutesKept(r)
    const report = JSON.parse(fs.readFileSync(path.join(r.files.temp, 'microk8s-report.json'), 'utf8'))
    expect(report.interrupted.addons.find((a: any) => a.name === 'ingress')).toMatchObject({ result: 'restored' })
  })
})
