"""Scale-out: bulk runs fanned out over Celery workers, one rate limit on Redis for all.

Installed with the `distributed` extra (`pip install -e '.[distributed]'` in a checkout);
nothing here is imported unless a command or caller asks for it, so the CLI
starts without Celery or Redis.

- `keys`: the Redis key names, and the hash a token is known by there (never
  the token itself).
- `shared_limiter`: `SharedRateLimiter`, the local limiter's fixed windows kept
  in Redis by one Lua script on Redis's clock, shared by every worker.
- `credentials`: a credential reference (a profile name) resolved on the worker.
- `app`: the Celery app and its settings (JSON only, early acknowledgement for
  writes, one message prefetched), and where the Redis URL comes from (never a
  password on the command line); `broker`: the Redis transport, with a full
  Redis waited out like a lost connection.
- `durability`: whether Redis keeps what the runs write there (an append-only
  file, no eviction), checked by workers before they send writes.
- `presence`: workers announce themselves and the profiles they can use, which
  a run checks before it queues anything.
- `tasks`: an action, a listing page or a picklist by key; one line of a bulk run.
- `coordinator`: `run_distributed`, a bulk run whose lines the workers call,
  recorded in the same results file with the same resume rules as a local run;
  a write goes out only once the run has its `started` record on disk, so a
  worker or run that dies, or a Redis that loses data, leaves no write sent twice.
- `worker`: the `segment-connector worker` command.
- `local_server`: start and stop a Redis-compatible server on loopback, and
  `fleet`: worker processes on this machine (tests, benchmarks).

The token never enters the broker or the result backend: tasks carry the name
of a profile that each worker reads from its own configuration, and every
record a worker stores is masked with the worker's secrets first. Other
inputs travel as they are (a destination's password in its settings too);
what is stored of them is masked.
"""
