from b12kg.cli import main

raise SystemExit(main())
