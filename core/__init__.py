"""The ground floor every app shares (ARCHITECTURE.md): nothing here imports an app."""
