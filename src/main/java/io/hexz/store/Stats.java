package io.hexz.store;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link RemoteStats}. Thread-safe. */
final class Stats {
  final LongAdder requests = new LongAdder();
  final LongAdder bytesFetched = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder chunkHits = new LongAdder();
  final LongAdder chunksFetched = new LongAdder();
  final LongAdder diskHits = new LongAdder();
  final LongAdder bytesRead = new LongAdder();

  RemoteStats snapshot() {
    return new RemoteStats(requests.sum(), bytesFetched.sum(), retries.sum(), chunkHits.sum(), chunksFetched.sum(),
        diskHits.sum(), bytesRead.sum());
  }
}
