"""`python -m skintern` (and `accelerate launch -m skintern`) runs the CLI."""

from skintern.cli import main

main()
