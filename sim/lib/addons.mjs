// What each simulated core addon deploys, per addon-repository branch, and how `status` sees it.
// Images and names: docs/microk8s-behaviour.md §4; labels §3.1; check_status §3.1; scripts §3.2–3.5.
import { makeObject } from './objects.mjs'
import { IMAGES, branchMinor } from './addon-releases.mjs'
import { helmReleaseSecret } from './helm.mjs'
import { dnsClusterDomain, dnsServiceIp, metallbRanges } from './addon-args.mjs'
import { nvidiaEnable } from './nvidia.mjs'
import { makeCrd, metallbCrds, gatewayApiCrds, traefikCrds } from './crds.mjs'
export { IMAGES, DESCRIPTIONS, coreAddonNames, labelOf } from './addon-releases.mjs'

/** The Corefile template of addons/dns/coredns.yaml (identical on 1.28 … main but for the cluster domain). */
export function corefile(nameservers, domain = 'cluster.local') {
  return `.:53 {
    errors
    health {
      lameduck 5s
    }
    ready
    log . {
      class error
    }
    kubernetes ${domain} in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . ${nameservers}
    cache 30
    loop
    reload
    loadbalance
}
`
}

/**
 * The words after `microk8s enable|disable` as scripts/wrappers/common/utils.py `parse_xable_addon_args` reads
 * them: when every word names an addon (before any `:`), each is `name[:args]` with `args` split on `:`;
 * otherwise the first word is the addon and the other words are passed to its script unchanged (unix style);
 * both at once is refused. Returns { repo, name, args: [] } or { error }.
 */
export function parseXable(words, isAddonName) {
  const single = (word) => {
    const [full, ...colon] = word.split(':')
    const [repo, name] = full.includes('/') ? full.split('/', 2) : [undefined, full]
    return { repo, name, args: colon }
  }
  if (words.length === 0) return { error: 'Usage: microk8s enable [OPTIONS] ADDONS...' }
  if (words.every((w) => isAddonName(w.split(':')[0]))) {
    if (words.length > 1) return { error: 'simulator: several addons in one command are not simulated' }
    return single(words[0])
  }
  const first = single(words[0])
  if (first.args.length && words.length > 1)
    return {
      error:
        "Can't pass string arguments and flag arguments simultaneously!\nEnable or disable addons with only one argument style at a time:"
    }
  return { ...first, args: words.slice(1) }
}

const workload = (kind, ns, name, container, image, extra = {}) =>
  makeObject(kind === 'deployment' ? 'Deployment' : kind === 'daemonset' ? 'DaemonSet' : 'StatefulSet', {
    namespace: ns,
    name,
    labels: extra.labels,
    spec: {
      // apps/v1 requires a selector; the manifests' own where the action reads it (coredns: `k8s-app: kube-dns`).
      selector: { matchLabels: extra.selector ?? { app: name } },
      template: { spec: { containers: [{ name: container, image, ...(extra.args ? { args: extra.args } : {}) }] } }
    }
  })

/** Reads `--flag value` options the way the 1.33+ getopts/while loops do; stops at the first plain word. */
function options(args, known) {
  const found = {}
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (!a.startsWith('-')) break // `*) break ;;`: the rest is ignored
    if (!known.includes(a)) return { error: `Invalid option ${a}` }
    const v = args[i + 1]
    if (v === undefined || v.startsWith('-')) return { error: `Missing argument for option ${a}` }
    found[a] = v
    i++
  }
  return { found }
}

const helmOut = (what) => [`Installing ${what}`, 'NAME: ' + what, 'STATUS: deployed']

/**
 * The objects an enable script creates for an addon with the given script arguments (`$1`, `$2`, …) on a
 * branch; `host.kubeApiserverArgs` is $SNAP_DATA/args/kube-apiserver as the script reads it. Returns
 * { objects, out: [lines], needs?, error?: {code, lines}, prompt?, kubeletArgs?: {opt: value} } (kubelet arguments
 * the script sets with refresh_opt_in_config).
 */
export function enableManifest(name, branch, args = [], host = {}) {
  const minor = branchMinor(branch)
  switch (name) {
    case 'dns': {
      let servers = '/etc/resolv.conf'
      const out = ['Enabling DNS']
      const upstreams = (args[0] ?? '').split(/[, ]/).filter(Boolean)
      if (upstreams.length && args[0] !== '/etc/resolv.conf') {
        for (const ns of upstreams) {
          if (!/^[0-9a-fA-F.:]+$/.test(ns) || (ns.includes('.') && !ns.split('.').every((o) => Number(o) <= 255)))
            return {
              error: { code: 1, lines: [...out, `Your input value (${ns}) is not a valid and reachable IP address`] }
            }
        }
        servers = upstreams.join(' ')
        out.push(`Will use  ${servers} as upstream nameservers`)
      } else {
        out.push('Using host configuration from /run/systemd/resolve/resolv.conf')
      }
      // $2 the service IP, and from 1.33 $3 the cluster domain (older scripts ignore a third argument).
      const ip = dnsServiceIp(args, host.kubeApiserverArgs)
      const domain = dnsClusterDomain(branch, args)
      out.push(
        'Applying manifest',
        'serviceaccount/coredns created',
        'configmap/coredns created',
        'deployment.apps/coredns created',
        'service/kube-dns created',
        'clusterrole.rbac.authorization.k8s.io/coredns created',
        'clusterrolebinding.rbac.authorization.k8s.io/coredns created',
        `CoreDNS service deployed with IP address ${ip}`,
        'Restarting kubelet',
        'DNS is enabled'
      )
      return {
        out,
        objects: [
          makeObject('ConfigMap', {
            namespace: 'kube-system',
            name: 'coredns',
            labels: { 'k8s-app': 'kube-dns' },
            data: { Corefile: corefile(servers, domain) }
          }),
          workload('deployment', 'kube-system', 'coredns', 'coredns', IMAGES.coredns(branch), {
            labels: { 'k8s-app': 'kube-dns' },
            selector: { 'k8s-app': 'kube-dns' }
          }),
          makeObject('Service', { namespace: 'kube-system', name: 'kube-dns', spec: { clusterIP: ip } })
        ],
        // The kubelet points pods at the Service IP the script reads back, in the cluster domain.
        kubeletArgs: { 'cluster-domain': domain, 'cluster-dns': ip }
      }
    }
    case 'ingress':
      return minor >= 35 ? traefikIngress(branch, args) : nginxIngress(branch, args)
    case 'hostpath-storage': {
      // Unix-style options parsed with getopt (core-addons addons/hostpath-storage/enable): --reclaim-policy on
      // every branch, --default-class from 1.29.
      const options = hostpathOptions(branch, args)
      if (options.error) return { error: { code: 1, lines: options.error } }
      return {
        out: [
          'Enabling default storage class.',
          'WARNING: Hostpath storage is not suitable for production environments.',
          'deployment.apps/hostpath-provisioner created',
          'storageclass.storage.k8s.io/microk8s-hostpath created',
          'Storage will be available soon.'
        ],
        objects: [
          workload(
            'deployment',
            'kube-system',
            'hostpath-provisioner',
            'hostpath-provisioner',
            IMAGES.hostpath(branch)
          ),
          makeObject('StorageClass', {
            name: 'microk8s-hostpath',
            annotations:
              branch === '1.28' ? undefined : { 'storageclass.kubernetes.io/is-default-class': options.defaultClass },
            extra: {
              provisioner: 'microk8s.io/hostpath',
              reclaimPolicy: options.reclaimPolicy,
              volumeBindingMode: 'WaitForFirstConsumer'
            }
          })
        ]
      }
    }
    case 'metrics-server':
      return {
        out: ['Enabling Metrics-Server', 'deployment.apps/metrics-server created', 'Metrics-Server is enabled'],
        objects: [
          workload('deployment', 'kube-system', 'metrics-server', 'metrics-server', IMAGES.metricsServer(branch))
        ]
      }
    case 'dashboard':
      return minor >= 33 ? helmDashboard(branch) : manifestDashboard()
    case 'cert-manager': {
      const ns = 'cert-manager'
      const tag = minor >= 33 ? labelOfCertManager(branch) : 'v1.8.0'
      const objects = [
        makeObject('Namespace', { name: ns }),
        ...['controller', 'cainjector', 'webhook'].map((c) =>
          workload(
            'deployment',
            ns,
            c === 'controller' ? 'cert-manager' : `cert-manager-${c}`,
            c,
            `quay.io/jetstack/cert-manager-${c}:${tag}`
          )
        )
      ]
      if (minor >= 33)
        objects.push(
          helmReleaseSecret({ name: 'cert-manager', namespace: ns, chart: 'cert-manager', chartVersion: tag })
        )
      return { needs: ['dns'], out: ['Enabling cert-manager', 'cert-manager is enabled'], objects }
    }
    case 'metallb': {
      // Only `$1` is read (an IPv6 range in the colon form is split into several words and fails the check).
      if (!args[0])
        return {
          prompt:
            "Enter each IP address range delimited by comma (e.g. '10.64.140.43-10.64.140.49,192.168.0.105-192.168.0.111'): "
        }
      const { ranges, bad } = metallbRanges(branch, args[0])
      if (bad !== undefined)
        return { error: { code: 1, lines: ['Enabling MetalLB', `Your input value (${bad}) is not a valid IP Range`] } }
      return {
        out: [
          'Enabling MetalLB',
          `Applying Metallb manifest`,
          'namespace/metallb-system created',
          'MetalLB is enabled'
        ],
        objects: [
          // crd.yaml first: every kind the branch's MetalLB defines.
          ...metallbCrds(minor).map(makeCrd),
          makeObject('Namespace', { name: 'metallb-system' }),
          workload('deployment', 'metallb-system', 'controller', 'controller', IMAGES.metallb(branch, 'controller')),
          workload('daemonset', 'metallb-system', 'speaker', 'speaker', IMAGES.metallb(branch, 'speaker')),
          makeObject('IPAddressPool', {
            namespace: 'metallb-system',
            name: 'default-addresspool',
            apiVersion: 'metallb.io/v1beta1',
            extra: { spec: { addresses: ranges } }
          })
        ]
      }
    }
    case 'registry':
      return {
        needs: ['hostpath-storage'],
        out: [
          'The registry will be created with the size of 20Gi.',
          'namespace/container-registry created',
          'persistentvolumeclaim/registry-claim created',
          'deployment.apps/registry created',
          'The registry is enabled'
        ],
        objects: [
          makeObject('Namespace', { name: 'container-registry' }),
          makeObject('PersistentVolumeClaim', {
            namespace: 'container-registry',
            name: 'registry-claim',
            extra: { spec: { storageClassName: 'microk8s-hostpath' }, status: { phase: 'Bound' } }
          }),
          workload('deployment', 'container-registry', 'registry', 'registry', IMAGES.registry(branch))
        ]
      }
    case 'helm':
    case 'helm3':
      return { out: ['Addon core/helm3 is already enabled'], objects: [] }
    case 'nvidia':
    case 'gpu':
      // `gpu` is the addon itself on 1.28 and runs nvidia's enable from 1.29.
      return nvidiaEnable(branch)
    case 'rbac':
      return {
        out: ['Enabling RBAC', 'Reconfiguring apiserver', 'Restarting apiserver', 'RBAC is enabled'],
        objects: [],
        flag: true
      }
    default:
      return { out: [`Enabling ${name}`, `${name} is enabled`], objects: [], flag: true }
  }
}

const labelOfCertManager = (branch) => ({ 1.33: 'v1.17.1', 1.34: 'v1.18.2', 1.35: 'v1.19.1' })[branch] ?? 'v1.20.2'

/** 1.28–1.34: the nginx DaemonSet from ingress.yaml; `$1` is `key=value,…` (only default-ssl-certificate). */
function nginxIngress(branch, args) {
  const extra = []
  if (args[0]) {
    for (const kv of args[0].split(',')) {
      const [k, v] = kv.split('=')
      if (k !== 'default-ssl-certificate')
        return { error: { code: 1, lines: ['Enabling Ingress', `Unknown argument '${k}'.`] } }
      extra.push(`--default-ssl-certificate=${v}`)
    }
  }
  return {
    out: [
      'Enabling Ingress',
      'ingressclass.networking.k8s.io/public created',
      'ingressclass.networking.k8s.io/nginx created',
      'namespace/ingress created',
      'daemonset.apps/nginx-ingress-microk8s-controller created',
      'Ingress is enabled'
    ],
    objects: [
      makeObject('Namespace', { name: 'ingress' }),
      makeObject('IngressClass', { name: 'public', spec: { controller: 'k8s.io/ingress-nginx' } }),
      makeObject('IngressClass', { name: 'nginx', spec: { controller: 'k8s.io/ingress-nginx' } }),
      makeObject('ConfigMap', { namespace: 'ingress', name: 'nginx-load-balancer-microk8s-conf', data: {} }),
      makeObject('ConfigMap', { namespace: 'ingress', name: 'nginx-ingress-tcp-microk8s-conf', data: {} }),
      makeObject('ConfigMap', { namespace: 'ingress', name: 'nginx-ingress-udp-microk8s-conf', data: {} }),
      workload(
        'daemonset',
        'ingress',
        'nginx-ingress-microk8s-controller',
        'nginx-ingress-microk8s',
        IMAGES.ingress(branch),
        {
          args: [
            '/nginx-ingress-controller',
            '--configmap=$(POD_NAMESPACE)/nginx-load-balancer-microk8s-conf',
            ...extra
          ]
        }
      )
    ]
  }
}

/**
 * 1.35+: Traefik from its Helm chart as a DaemonSet in `ingress`, IngressClasses public (default), nginx and
 * traefik; `--default-ssl-certificate NS/NAME` becomes the default TLSStore. A colon-style `$1` such as
 * `default-ssl-certificate=…` is a plain word: the option loop stops there and it is ignored.
 * CRDs: 1.35 installs the chart (37.4.0) with its `crds/` (traefik.io, hub.traefik.io and Gateway API v1.4.0), then
 * applies Gateway API v1.4.0; main applies Gateway API v1.5.1, then the chart's (39.0.8) traefik.io CRDs only and the
 * chart with `--skip-crds`. The chart's own objects (GatewayClass `traefik`, Gateway `ingress/traefik-gateway`, the
 * dashboard IngressRoute, the IngressClasses) carry Helm's release annotations.
 */
function traefikIngress(branch, args) {
  const opts = options(args, ['-V', '-r', '-g', '-t', '--default-ssl-certificate'])
  if (opts.error) return { error: { code: 1, lines: [opts.error, 'Usage: microk8s enable ingress [OPTIONS]'] } }
  const cert = opts.found['--default-ssl-certificate']
  const [certNs, certName, ...more] = (cert ?? '').split('/')
  if (cert !== undefined && (!certNs || !certName || more.length))
    return { error: { code: 1, lines: ['Invalid value for --default-ssl-certificate; expected NAMESPACE/NAME'] } }
  const main = branchMinor(branch) >= 36
  const chart = main ? { version: '39.0.8', traefik: 'v3.6.13' } : { version: '37.4.0', traefik: 'v3.6.2' }
  const helmOwned = { 'meta.helm.sh/release-name': 'traefik', 'meta.helm.sh/release-namespace': 'ingress' }
  const byHelm = (obj) => {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'Helm' }
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), ...helmOwned }
    return obj
  }
  const klass = (name, annotations) =>
    makeObject('IngressClass', { name, annotations, spec: { controller: 'traefik.io/ingress-controller' } })
  const crds = main
    ? [...gatewayApiCrds('v1.5.1'), ...traefikCrds({ hub: false })]
    : [...traefikCrds({ hub: true }), ...gatewayApiCrds('v1.4.0')]
  const objects = [
    ...crds.map(makeCrd),
    makeObject('Namespace', { name: 'ingress' }),
    ...[
      klass('public', { 'ingressclass.kubernetes.io/is-default-class': 'true' }),
      klass('nginx'),
      klass('traefik'),
      workload('daemonset', 'ingress', 'traefik', 'traefik', `docker.io/traefik:${chart.traefik}`, {
        labels: { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/instance': 'traefik-ingress' }
      }),
      makeObject('GatewayClass', {
        name: 'traefik',
        apiVersion: 'gateway.networking.k8s.io/v1',
        spec: { controllerName: 'traefik.io/gateway-controller' }
      }),
      makeObject('Gateway', {
        namespace: 'ingress',
        name: 'traefik-gateway',
        apiVersion: 'gateway.networking.k8s.io/v1',
        spec: {
          gatewayClassName: 'traefik',
          listeners: [{ name: 'web', port: 8000, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }]
        }
      }),
      makeObject('IngressRoute', {
        namespace: 'ingress',
        name: 'traefik-dashboard',
        apiVersion: 'traefik.io/v1alpha1',
        spec: {
          entryPoints: ['web'],
          routes: [
            {
              match: 'Host(`dashboard.localhost`)',
              kind: 'Rule',
              services: [{ name: 'api@internal', kind: 'TraefikService' }]
            }
          ]
        }
      })
    ].map(byHelm),
    helmReleaseSecret({ name: 'traefik', namespace: 'ingress', chart: 'traefik', chartVersion: chart.version })
  ]
  if (cert)
    objects.push(
      makeObject('TLSStore', {
        namespace: certNs,
        name: 'default',
        apiVersion: 'traefik.io/v1alpha1',
        extra: { spec: { defaultCertificate: { secretName: certName } } }
      })
    )
  return {
    out: [
      'Adding Traefik Helm repository',
      'Installing Gateway API CRDs',
      'Installing Traefik CRDs',
      ...helmOut('traefik'),
      ...(cert ? [`Configuring Traefik default TLS certificate (${cert})`] : []),
      'Traefik ingress controller is enabled'
    ],
    objects
  }
}

function manifestDashboard() {
  return {
    needs: ['metrics-server'],
    out: [
      'Enabling Kubernetes Dashboard',
      'Applying manifest',
      'deployment.apps/kubernetes-dashboard created',
      'deployment.apps/dashboard-metrics-scraper created'
    ],
    objects: [
      workload(
        'deployment',
        'kube-system',
        'kubernetes-dashboard',
        'kubernetes-dashboard',
        'kubernetesui/dashboard:v2.7.0'
      ),
      workload(
        'deployment',
        'kube-system',
        'dashboard-metrics-scraper',
        'dashboard-metrics-scraper',
        'kubernetesui/metrics-scraper:v1.0.8'
      )
    ]
  }
}

/** 1.33–1.35: the kubernetes-dashboard chart (7.x) in namespace kubernetes-dashboard. */
function helmDashboard(branch) {
  const ns = 'kubernetes-dashboard'
  const chart = { 1.33: '7.11.1', 1.34: '7.13.0' }[branch] ?? '7.14.0'
  const parts = {
    api: 'dashboard-api:1.12.0',
    auth: 'dashboard-auth:1.2.4',
    web: 'dashboard-web:1.6.2',
    'metrics-scraper': 'dashboard-metrics-scraper:1.2.2'
  }
  return {
    needs: ['metrics-server'],
    out: ['Enabling metrics-server', 'Enabling Kubernetes dashboard', ...helmOut('kubernetes-dashboard')],
    objects: [
      makeObject('Namespace', { name: ns }),
      ...Object.entries(parts).map(([part, image]) =>
        workload(
          'deployment',
          ns,
          `kubernetes-dashboard-${part}`,
          `kubernetes-dashboard-${part}`,
          `docker.io/kubernetesui/${image}`
        )
      ),
      workload('deployment', ns, 'kubernetes-dashboard-kong', 'proxy', 'kong:3.8'),
      helmReleaseSecret({
        name: 'kubernetes-dashboard',
        namespace: ns,
        chart: 'kubernetes-dashboard',
        chartVersion: chart
      })
    ]
  }
}

/** getopt over `--reclaim-policy[=]X`, `-r X`, and (1.29+) `--default-class[=]X`, `-d X`, with the script's checks. */
function hostpathOptions(branch, flags) {
  const long = branch === '1.28' ? ['reclaim-policy'] : ['reclaim-policy', 'default-class']
  const short = { r: 'reclaim-policy', ...(branch === '1.28' ? {} : { d: 'default-class' }) }
  const values = { 'reclaim-policy': 'Delete', 'default-class': 'true' }
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(f) ?? /^-([a-z])$/.exec(f)
    const key = m && (f.startsWith('--') ? m[1] : short[m[1]])
    if (!key || !long.includes(key)) return { error: [`getopt: unrecognized option '${f}'`] }
    values[key] = m[2] ?? flags[++i]
  }
  if (!['Delete', 'Retain'].includes(values['reclaim-policy']))
    return { error: ['', 'Please check submitted arguments.'] }
  if (!['true', 'false'].includes(values['default-class'])) return { error: ['', 'Please check submitted arguments.'] }
  return { reclaimPolicy: values['reclaim-policy'], defaultClass: values['default-class'] }
}
