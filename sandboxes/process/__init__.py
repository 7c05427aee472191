"""The local-process backend: services as subprocesses on loopback, limited by rlimits."""
