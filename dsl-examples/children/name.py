# The notes' listing 13_9.
username = input('Введите имя')
print(f'Вы ввели имя {username}')
