from ucsim.cli import main

raise SystemExit(main())
