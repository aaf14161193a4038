"""Exchange formats: consent records (ISO/IEC TS 27560) and the policy in
the W3C Data Privacy Vocabulary's JSON-LD (docs/exchange.md)."""
