"""The outbox: every write the back office asks of VTEX, delivered once, whatever happens.

An app writes a command in the transaction of its local change (``outbox.enqueue``); the
delivery engine (``outbox.delivery``) claims due commands in small batches, sends them,
records every attempt and moves each command through the state table (``outbox.states``);
the sweeper (``outbox.sweep``) hands out again what a lost broker message or a dead worker
left behind. What a kind of command does is a class an app registers (``outbox.registry``):
the outbox knows HTTP outcomes, backoff and ordering, never orders or SKUs.
"""
