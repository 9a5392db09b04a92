# The notes' listing 13_11: echoes every line until 'quit'.
user_input = ''

while user_input != 'quit':
    user_input = input('Введите текст: ')
    print(user_input)
