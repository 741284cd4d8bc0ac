from planbench.cli import main

main()
