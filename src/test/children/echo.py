# The child of README's "Dialogues in Java" (and DialogueBuilder's Javadoc): echoes a text, asks
# for a password, then reads its input to the end.
import sys

text = input('Введите текст: ')
print(f'Вы ввели {text}')
password = input('Password:')
print('ok' if password else 'empty password')
sys.stdin.read()
