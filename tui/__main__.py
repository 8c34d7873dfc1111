from tui.cli import end_process, main

if __name__ == "__main__":  # also imported (as __mp_main__) by the parser worker process
    end_process(main())
