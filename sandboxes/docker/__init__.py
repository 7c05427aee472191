"""The Docker backend: one internal network per session, hardened containers, a reaper."""
