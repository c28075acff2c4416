// What the planned enables download, read from the scripts the installed snap ships, and the check before the
// first disable: every address probed, an unreachable one stops the run naming it, nothing disabled.
import { describe, it, expect } from 'vitest'
import { checkDownloads, findDownloads, REACH_ATTEMPTS, SNAP_ADDONS } from '../../src/upgrade/downloads.js'
import { planAddons, downloadsOf } from '../../src/upgrade/addon-plan.js'
import { downloadNotes } from '../../src/stages/plan-record.js'
import { addonSpec } from '../../src/catalog/index.js'
import type { SystemFiles } from '../../src/cluster/system-files.js'
import type { Reach } from '../../src/base/reach.js'

// The shape of upstream's 1.35 addons/ingress/enable around what it downloads (addresses made up).
const INGRESS = `#!/usr/bin/env bash
set -e
REPO="https://charts.example.test/traefik"
CHART_VERSION="37.4.0"
GW_VERSION="v1.4.0"
usage() {
    echo "   -r REPOSITORY    Traefik Helm chart repository (default: \${REPO})"
}
        -r) REPO="$2" ;;
$HELM repo add traefik "$REPO"
$KUBECTL apply -f "https://gh.example.test/kubernetes-sigs/gateway-api/releases/download/\${GW_VERSION}/standard-install.yaml"
`

const plan = (addons: string[], toRelease = '1.36', requested: string[] = []) =>
  planAddons({
    enabled: addons,
    requested: requested.map((name) => ({ name })),
    mode: 'always',
    neverCycle: [],
    recovered: new Map(),
    fromRelease: '1.35',
    toRelease
  })

const files = (scripts: Record<string, string>) =>
  ({ read: async (file: string) => scripts[file] }) as unknown as SystemFiles

describe('what an enable downloads', () => {
  it('the catalog: ingress from 1.35, cert-manager from 1.33, the dashboard on 1.33–1.35', () => {
    expect(addonSpec('ingress', '1.34').downloads).toBeUndefined()
    expect(addonSpec('ingress', '1.35').downloads?.map((d) => d.what)).toHaveLength(2)
    expect(addonSpec('cert-manager', '1.32').downloads).toBeUndefined()
    expect(addonSpec('cert-manager', 'main').downloads).toHaveLength(1)
    expect(addonSpec('dashboard', '1.35').downloads).toHaveLength(1)
    expect(addonSpec('dns', 'main').downloads).toBeUndefined()
  })

  it('reads the addresses from the script: its REPO= line, the Gateway API URL with GW_VERSION expanded', () => {
    expect(findDownloads(INGRESS, addonSpec('ingress', '1.35').downloads!).map((d) => d.address)).toEqual([
      'https://charts.example.test/traefik',
      'https://gh.example.test/kubernetes-sigs/gateway-api/releases/download/v1.4.0/standard-install.yaml'
    ])
  })

  it('finds nothing where the script does not say it, or names a variable it does not set', () => {
    const downloads = addonSpec('ingress', '1.35').downloads!
    expect(findDownloads('#!/bin/sh\n', downloads)).toEqual(downloads.map((d) => ({ what: d.what })))
    const computed = INGRESS.replace('GW_VERSION="v1.4.0"', 'GW_VERSION="$(cat version)"')
    expect(findDownloads(computed, downloads)[1].address).toBeUndefined()
  })

  it('the plan says so, once per addon it enables that downloads', () => {
    const p = plan(['dns', 'ingress'], '1.36', ['cert-manager'])
    expect(downloadsOf(p).map((d) => d.name)).toEqual(['ingress', 'cert-manager'])
    const notes = downloadNotes(p)
    expect(notes).toHaveLength(2)
    expect(notes[0]).toMatch(
      /^ingress: the 1\.36 enable downloads the Traefik Helm chart repository and the Gateway API CRDs .* from the internet/
    )
    expect(downloadNotes(plan(['dns'], '1.34'))).toEqual([])
  })
})

describe('the check before the first disable', () => {
  const scripts = { [`${SNAP_ADDONS}/ingress/enable`]: INGRESS }

  it('probes every address and says what answered', async () => {
    const probed: string[] = []
    const checks = await checkDownloads(files(scripts), plan(['ingress']), async (a) => {
      probed.push(a)
      return { ok: true, status: 404 }
    })
    expect(probed).toHaveLength(2)
    expect(checks.map((c) => c.status)).toEqual([404, 404])
  })

  it('an address that never answers stops the run, naming it, after every attempt', async () => {
    let tries = 0
    const probe = async (a: string): Promise<Reach> => {
      if (a.includes('gh.example.test')) {
        tries++
        return { ok: false, error: 'ECONNREFUSED' }
      }
      return { ok: true, status: 200 }
    }
    await expect(checkDownloads(files(scripts), plan(['ingress']), probe, 1)).rejects.toThrow(
      /ingress: the 1\.36 enable downloads the Gateway API CRDs .* from https:\/\/gh\.example\.test\/.*standard-install\.yaml, which this runner cannot reach \(ECONNREFUSED; 3 attempts\)\. No addon was disabled/
    )
    expect(tries).toBe(REACH_ATTEMPTS)
  })

  it('a failure that clears on a later attempt passes', async () => {
    let n = 0
    const probe = async (): Promise<Reach> =>
      ++n === 1 ? { ok: false, error: 'ETIMEDOUT' } : { ok: true, status: 200 }
    await expect(checkDownloads(files(scripts), plan(['ingress']), probe, 1)).resolves.toHaveLength(2)
  })

  it('an unreadable script is reported as not checked, never as reachable', async () => {
    const checks = await checkDownloads(files({}), plan(['ingress']), async () => ({ ok: true, status: 200 }))
    expect(checks.every((c) => c.status === undefined && /could not be read/.test(c.why!))).toBe(true)
  })
})
