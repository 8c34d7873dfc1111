from tui.cli import main

if __name__ == "__main__":  # also imported (as __mp_main__) by the parser worker process
    raise SystemExit(main())
