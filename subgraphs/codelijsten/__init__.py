"""Reference data: labels and reference occupations for `Beroep`, resolved through `_entities`."""
