from reclaim.cli.main import run

run()
