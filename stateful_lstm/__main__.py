"""``python -m stateful_lstm alphabet|text ...`` (``stateful_lstm.commands``)."""
from .commands import main

if __name__ == "__main__":
    main()
