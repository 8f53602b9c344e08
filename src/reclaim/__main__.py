from reclaim.cli.main import main

main()
