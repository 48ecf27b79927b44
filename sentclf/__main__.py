"""``python -m sentclf`` runs the command-line tool."""

from sentclf.cli import main

if __name__ == "__main__":
    main()
