export { analysePython, isPrivateName } from './analyse';
export { PYTHON_BUILTINS } from './builtins';
