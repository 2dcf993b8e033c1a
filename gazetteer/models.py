"""Place names (gazetteer): built in the gazetteer issue."""
