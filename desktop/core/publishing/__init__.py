"""Publishing: the service that sends a draft to the chosen accounts exactly once
(:mod:`.service`), its history and outbox (:mod:`.store`), what may be published (:mod:`.verdict`),
and the AT Protocol's record keys (:mod:`.tid`). The ports the adapters implement are in
:mod:`desktop.core.ports`.
"""
