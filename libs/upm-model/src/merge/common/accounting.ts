import { PageFlag } from '../../dump/types';
import { isAlive, ProcTrack, World } from '../../sharing/world';

/** Processes alive at the end of the observation, with their last state. */
export function aliveAtEnd(world: World): ProcTrack[] {
  return world.procs.filter((t) => t.exitTimeMs === Infinity || t.exitTimeMs > world.endTimeMs);
}

export interface FrameCount {
  residentPages: number;
  physicalPages: number;
}

/**
 * Resident pages and distinct frames of the alive processes' last states. `frameOf(track, stateIndex, k)`
 * may substitute a frame (a merge target) for page k; by default the page's own frame.
 */
export function countFrames(
  world: World,
  tracks: ProcTrack[],
  frameOf?: (tr: ProcTrack, k: number) => number,
  extraFrames = 0,
): FrameCount & { seen: Uint8Array } {
  const seen = new Uint8Array(world.frameCount + extraFrames);
  let resident = 0;
  let physical = 0;
  for (const tr of tracks) {
    const st = tr.states[tr.states.length - 1];
    const fl = st.pages.flags;
    for (let k = 0; k < fl.length; k++) {
      if (!(fl[k] & PageFlag.Present)) continue;
      resident++;
      const f = frameOf ? frameOf(tr, k) : st.frame[k];
      if (!seen[f]) {
        seen[f] = 1;
        physical++;
      }
    }
  }
  return { residentPages: resident, physicalPages: physical, seen };
}

export { isAlive };
