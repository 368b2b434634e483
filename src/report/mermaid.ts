// The link's topology as a mermaid flowchart: network → endpoint → Zilliz endpoint service → clusters,
// with the DNS records that resolve to the endpoint and the security rule attached to it.
import { sortedLinks } from './documents.js'
import type { ReportedLink, RunResult } from './model.js'

// Mermaid reads `#code;` as an entity; numeric codes keep quotes, brackets and markup out of its parser
// and out of the HTML it renders. `#` is encoded too so user text cannot forge an entity, `%` so it cannot
// start a directive, and `:` because mermaid rewrites `style…:…#…;` lines before parsing.
const MERMAID_UNSAFE = /[#"'`<>&[\](){}|\\;:%]/g

/** One label line, safe inside a double-quoted mermaid label. */
export function mermaidText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(MERMAID_UNSAFE, (char) => `#${char.codePointAt(0)};`)
}

/** A node label from lines of plain text; the `<br/>` between lines is ours, not the user's. */
function label(...lines: (string | undefined)[]): string {
  return `"${lines
    .filter((line): line is string => Boolean(line))
    .map(mermaidText)
    .join('<br/>')}"`
}

/** Indexes of the links whose host a DNS zone serves: the zone is the host itself or a parent domain. */
function linksInZone(zoneName: string, links: ReportedLink[]): number[] {
  const zone = zoneName.replace(/\.$/, '').toLowerCase()
  return links.flatMap((link, i) => {
    const host = link.host.toLowerCase()
    return host === zone || host.endsWith(`.${zone}`) ? [i] : []
  })
}

export function topologyDiagram(result: RunResult): string {
  const resources = result.resources
  const links = sortedLinks(result)
  const endpointPending = result.mode === 'plan' ? '(to be created)' : '(not created)'
  const lines = ['flowchart LR']
  const node = (id: string, text: string, shape: [string, string] = ['[', ']']) => lines.push(`  ${id}${shape[0]}${text}${shape[1]}`)

  node('network', label('Your network', resources?.network || result.target.network))
  node('endpoint', label('Private endpoint', resources?.endpointId ?? endpointPending, resources?.endpointAddress), ['([', '])'])
  node('service', label('Zilliz endpoint service', result.target.endpointService ?? '(unknown)'))
  lines.push('  network --> endpoint', '  endpoint --> service')

  links.forEach((link, i) => {
    node(`cluster${i}`, label(`Cluster ${link.clusterId}`, `${link.host}:${link.port}`, link.confirmed ? undefined : '(derived address)'))
    lines.push(`  service --> cluster${i}`)
  })

  const zones = resources?.dnsZones ?? []
  if (zones.length > 0 || links.length > 0) {
    lines.push('  subgraph dns["Private DNS"]')
    zones.forEach((zone, i) => node(`zone${i}`, label(`Zone ${zone.name}`, zone.id), ['[(', ')]']))
    links.forEach((link, i) => node(`record${i}`, label(`A ${link.host}`)))
    lines.push('  end')
    zones.forEach((zone, z) => {
      for (const i of linksInZone(zone.name, links)) lines.push(`  zone${z} --- record${i}`)
    })
    links.forEach((_, i) => lines.push(`  record${i} -. resolves to .-> endpoint`))
  }

  if (resources?.securityRule) {
    node('rule', label('Security rule', resources.securityRule), ['{{', '}}'])
    lines.push('  rule -.- endpoint')
  }
  return `\`\`\`mermaid\n${lines.join('\n')}\n\`\`\``
}
