"""Exports of the registry: REDCap flat records, a FHIR R4B bundle, SDTM-shaped tables."""
