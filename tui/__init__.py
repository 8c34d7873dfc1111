"""Everything a person touches: the Textual dashboard, its widgets and screens, and the CLI."""
