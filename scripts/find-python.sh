#!/bin/sh
# Print the path of a Python >= 3.12 (Django 6.1 needs it; Debian 12 ships 3.11, pyenv may have newer).
for c in python3.14 python3.13 python3.12 "$(pyenv root 2>/dev/null)"/versions/3.1[2-9]*/bin/python3; do
  "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v "$c" || echo "$c"; exit 0; }
done
echo "No Python >= 3.12 found: install python3.12 or newer" >&2
exit 1
