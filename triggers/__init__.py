"""Built-in trigger plugins."""
