// The public image the container probes (Cloud Run, Container Instances) run the bundled probe with: the
// official Node image of Docker Hub, Alpine variant (about 50 MB to pull), on the major version the probe
// is built for (scripts/probe-bundle.ts targets node20 and up). A tag, not a digest: the major line keeps
// getting security fixes, and the probe uses Node built-ins only.
export const PROBE_NODE_IMAGE = 'node:22-alpine'
