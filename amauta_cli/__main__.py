from amauta_cli.cli.main import main

main()
