// @ts-check
// Preloaded into a measured process (`node --import ./lag-probe.mjs …`) when it is started with
// an IPC channel: answers {type:'lag'} with the event-loop delay histogram since the previous
// question (then resets it). Plain JS so it runs unchanged on every Node version under test.
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (process.send && process.channel) {
  const resolutionMs = 5;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  // The channel must not keep the process alive: graceful shutdown decides when it exits.
  process.channel.unref();
  process.on('message', (message) => {
    if (typeof message !== 'object' || message === null || !('type' in message) || message.type !== 'lag') return;
    // The histogram holds whole timer intervals; the lag is what exceeds the sampling interval.
    const ms = (/** @type {number} */ ns) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - resolutionMs) : 0);
    process.send?.({
      type: 'lag',
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      meanMs: ms(histogram.mean),
      resolutionMs,
      samples: histogram.count,
    });
    histogram.reset();
  });
}
