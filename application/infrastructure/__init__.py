"""Adapters of the write side: recorders, keys and cipher, hash chain, audit export, settings."""
