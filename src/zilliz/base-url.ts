// Zilliz runs a separate control plane for its China regions (Alibaba Cloud and Tencent Cloud),
// chosen by region prefix the same way the Zilliz Terraform provider does.

export const GLOBAL_API_URL = 'https://api.cloud.zilliz.com'
export const CHINA_API_URL = 'https://api.cloud.zilliz.com.cn'

const CHINA_REGION_PREFIXES = ['ali-', 'tc-']

export function defaultApiUrl(regionId: string): string {
  const region = regionId.trim().toLowerCase()
  return CHINA_REGION_PREFIXES.some((prefix) => region.startsWith(prefix)) ? CHINA_API_URL : GLOBAL_API_URL
}
