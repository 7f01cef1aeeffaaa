"""`python -m gateway.federation serve|plan …`"""

from .cli import main

main()
