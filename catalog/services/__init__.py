"""Every write of the catalog, as functions (``<entity>_<action>``, keyword-only)."""
