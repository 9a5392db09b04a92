# The notes' listing 13_13: echoes each line a random number of times, slowly.
# ECHO_DELAY (seconds, default 0.5 as in the notes) sets the pause between repeats.
import os
import time
from random import randrange

delay = float(os.environ.get('ECHO_DELAY', '0.5'))
user_input = ''

while user_input != 'quit':
    user_input = input('Введите текст: ')
    for i in range(randrange(10)):
        time.sleep(delay)
        print(user_input, flush=True)
