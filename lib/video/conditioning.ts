/**
 * Filters that condition a source before it is scaled and encoded, chosen from what probe found
 * (SourceTraits): the H.264 renditions are 8-bit, progressive SDR whatever the source was.
 */
import type { SourceTraits } from './contracts';

/** Deinterlaces interlaced frames only (a progressive frame in a mixed stream passes unchanged), one output frame per input frame. */
export const DEINTERLACE = 'yadif=mode=send_frame:parity=auto:deint=interlaced';

/**
 * PQ/HLG to SDR BT.709: linearise, convert the primaries, tone-map highlights (Hable), back to
 * BT.709. Without it an HDR source comes out washed-out grey.
 */
export const TONEMAP_TO_SDR = ['zscale=t=linear:npl=100', 'format=gbrpf32le', 'zscale=p=bt709', 'tonemap=tonemap=hable:desat=0', 'zscale=t=bt709:m=bt709:r=tv'].join(',');

/** The filters to run before scaling, in order; none for an ordinary source or an unknown one. */
export function conditioningFilters(traits: SourceTraits | undefined): string[] {
  if (!traits) return [];
  return [...(traits.interlaced ? [DEINTERLACE] : []), ...(traits.hdr ? [TONEMAP_TO_SDR] : [])];
}
