/**
 * The region of a SigV4-signed request, from `Credential=<akid>/<date>/<region>/swf/aws4_request`
 * in the Authorization header. SWF is regional, so the engine keeps each region's state apart.
 */
export function regionOf(authorization: string | undefined, fallback: string): string {
  if (!authorization) return fallback;
  const m = /Credential=[^/\s,]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization);
  return m ? m[1]! : fallback;
}
