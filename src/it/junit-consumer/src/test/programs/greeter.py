# A console program under test: asks a name, greets, exits 0.
name = input('Введите имя: ')
print(f'Вы ввели имя {name}')
