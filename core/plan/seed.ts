/**
 * Stable hashing for ids and seeds: FNV-1a over UTF-16 code units, then a murmur3 finalizer to spread bits.
 * Pure and platform-independent, so a trial's id and seed are the same on every machine, shard and resume.
 * Imports nothing, so the simulator's worker threads use it without loading zod.
 */
export function hash32(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Seed of one trial from the campaign seed, its point id and its repetition. */
export function trialSeed(campaignSeed: number, pointId: string, repetition: number): number {
  return repetitionSeed(pointSeedHash(campaignSeed, pointId), repetition);
}

/** The part of a trial's seed shared by a point's repetitions: hashed once per point by the simulator's chunks. */
export function pointSeedHash(campaignSeed: number, pointId: string): number {
  return hash32(pointId, campaignSeed);
}

/** Seed of repetition `repetition` of the point whose pointSeedHash is `pointHash`. */
export function repetitionSeed(pointHash: number, repetition: number): number {
  return fmix32((pointHash ^ Math.imul(repetition + 1, 0x9e3779b1)) >>> 0);
}
