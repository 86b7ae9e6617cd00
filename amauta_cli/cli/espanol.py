"""Typer y click en español: ayuda, marcadores de tipo, errores de uso y autocompletado.

Typer 0.28 trae su propio click (``typer._click``), con los mensajes escritos en inglés
dentro del código (sin gettext), y usa ``gettext`` solo en ``typer.core`` y
``typer.rich_utils``. Este módulo instala el catálogo en español de todos esos textos:

- ``CATALOGO``: los msgid de gettext de Typer (``"Missing command."``...) y su traducción;
  se instala como la función ``_`` de ``typer.core``.
- ``MENSAJES``: los mensajes de error de click (``Missing option '--grupo'.``,
  ``No such option: --x``, ``'x' is not one of ...``, ``0 is not in the range x>=1.``...),
  como expresiones regulares y su traducción; se aplican al texto final de cada error.
- ``MARCADORES``: los tipos de la ayuda (``TEXTO``, ``ENTERO``, ``RUTA``...) en lugar de
  ``<str>``, ``<int range>``...; los rangos se describen en español (``[1 o más]``).

Los textos de los paneles de Rich se fijan recién al formatear una ayuda o un error, para no
importar Rich al arrancar (``amauta --help`` debe ser rápido).
"""

from __future__ import annotations

import re
import sys
from difflib import get_close_matches
from typing import Any, Callable

_instalado = False

#: msgid de gettext de Typer (``typer.core``, ``typer.rich_utils``) → español.
CATALOGO: dict[str, str] = {
    "(dynamic)": "(dinámico)",
    "Aborted!": "Cancelado.",
    "Aborted.": "Cancelado.",
    "default: {default}": "por defecto: {default}",
    "required": "obligatorio",
    "env var: {var}": "variable: {var}",
    "Arguments": "Argumentos",
    "Options": "Opciones",
    "Commands": "Comandos",
    "Missing command.": "Falta el comando.",
    "No such command {name!r}.": "No existe el comando {name!r}.",
}

#: Tipos de parámetro (``ParamType.name``) → marcador de la ayuda.
MARCADORES: dict[str, str] = {
    "str": "TEXTO",
    "text": "TEXTO",
    "int": "ENTERO",
    "integer": "ENTERO",
    "int range": "ENTERO",
    "float": "NÚMERO",
    "float range": "NÚMERO",
    "datetime": "FECHA",
    "uuid": "UUID",
    "filename": "ARCHIVO",
    "file": "ARCHIVO",
    "directory": "CARPETA",
    "path": "RUTA",
}

_NOMBRES_TIPO = {
    "int": "un número entero",
    "integer": "un número entero",
    "int range": "un número entero",
    "float": "un número",
    "float range": "un número",
    "uuid": "un UUID",
    "boolean": "sí o no",
}

_TIPOS_RUTA = {"File": "El archivo", "Directory": "La carpeta", "Path": "La ruta"}


def _lista(texto: str) -> str:
    """``'a', 'b', 'c'`` → ``a, b o c``."""
    valores = [v.strip().strip("'\"") for v in texto.split(",") if v.strip()]
    if len(valores) <= 1:
        return "".join(valores)
    return ", ".join(valores[:-1]) + " o " + valores[-1]


def _sugerencia(texto: str) -> str:
    """``'a', 'b'`` → ``'a' o 'b'`` (las comillas, si las hay, se conservan)."""
    return " o ".join(v.strip() for v in texto.split(",") if v.strip())


#: Mensajes de error de click (texto final, en inglés) → español. Se prueban en orden y se
#: aplican todas las que coincidan (una pista "Did you mean" va después del mensaje).
MENSAJES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^Missing option (.+?)\.(?: Choose from:\s*(.*))?$", re.S),
     lambda m: f"Falta la opción obligatoria {m[1]}."
     + (f" Valores posibles: {_lista(m[2].replace(chr(10), ' '))}." if m[2] else "")),
    (re.compile(r"^Missing argument (.+?)\.(?: Choose from:\s*(.*))?$", re.S),
     lambda m: f"Falta el argumento obligatorio {m[1]}."
     + (f" Valores posibles: {_lista(m[2].replace(chr(10), ' '))}." if m[2] else "")),
    (re.compile(r"^Missing parameter:? ?(.*?)\.?$"), r"Falta el parámetro \1."),
    (re.compile(r"^No such option: (\S+)"), r"No existe la opción \1."),
    (re.compile(r" ?\(Possible options: (.+)\)$"), lambda m: f" ¿Quiso decir {_sugerencia(m[1])}?"),
    (re.compile(r"^No such command '(.+?)'\.?"), r"No existe el comando '\1'."),
    (re.compile(r"\.? ?Did you mean (.+)\?$"), lambda m: f". ¿Quiso decir {_sugerencia(m[1])}?"),
    (re.compile(r"^Missing command\.$"), "Falta el comando."),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"), r"Sobran argumentos que no se esperaban: \1."),
    (re.compile(r"^Option '(.+?)' requires an argument\.$"), r"La opción '\1' necesita un valor."),
    (re.compile(r"^Option '(.+?)' requires (\d+) arguments\.$"), r"La opción '\1' necesita \2 valores."),
    (re.compile(r"^Option '(.+?)' does not take a value\.$"), r"La opción '\1' no lleva valor."),
    (re.compile(r"^Argument '(.+?)' takes (\d+) values\.$"), r"El argumento '\1' lleva \2 valores."),
    (re.compile(r"^Invalid value for (.+?): (.*)$", re.S), r"Valor inválido para \1: \2"),
    (re.compile(r"^Invalid value: (.*)$", re.S), r"Valor inválido: \1"),
    (re.compile(r"'(.*)' is not a valid (int range|int|integer|float range|float|uuid)\.$"),
     lambda m: f"'{m[1]}' no es {_NOMBRES_TIPO[m[2]]}."),
    (re.compile(r"'(.*)' is not a valid boolean\..*$"), r"'\1' no es un valor de sí o no (use true o false)."),
    (re.compile(r"'(.*)' is not one of (.+)\.$", re.S),
     lambda m: f"'{m[1]}' no es un valor permitido; use {_lista(m[2])}."),
    (re.compile(r"'(.*)' is not ('.+')\.$"), lambda m: f"'{m[1]}' no es un valor permitido; use {_lista(m[2])}."),
    (re.compile(r"^(.*) is not in the range (.+)\.$"),
     lambda m: f"{m[1]} está fuera del rango permitido ({m[2]})."),
    (re.compile(r"'(.*)' does not match the formats? (.+)\.$"), r"'\1' no tiene el formato esperado (\2)."),
    (re.compile(r"^(File|Directory|Path) '(.*)' does not exist\.$"),
     lambda m: f"{_TIPOS_RUTA[m[1]]} '{m[2]}' no existe."),
    (re.compile(r"^(File|Directory|Path) '(.*)' is a directory\.$"),
     lambda m: f"{_TIPOS_RUTA[m[1]]} '{m[2]}' es una carpeta, no un archivo."),
    (re.compile(r"^(File|Directory|Path) '(.*)' is a file\.$"),
     lambda m: f"{_TIPOS_RUTA[m[1]]} '{m[2]}' es un archivo, no una carpeta."),
    (re.compile(r"^(File|Directory|Path) '(.*)' is not (readable|writable|executable)\.$"),
     lambda m: f"{_TIPOS_RUTA[m[1]]} '{m[2]}' no se puede "
     + {"readable": "leer", "writable": "escribir", "executable": "ejecutar"}[m[3]] + "."),
    (re.compile(r"^Could not open file '(.*)': (.*)$"), r"No se pudo abrir el archivo '\1': \2"),
    (re.compile(r"(\d+) values are required, but (\d+) given\.$"), r"hacen falta \1 valores y se dieron \2."),
    (re.compile(r"Takes (\d+) values but (\d+) given\.$"), r"lleva \1 valores y se dieron \2."),
]


def traducir(mensaje: str) -> str:
    """El texto de un error de click en español (sin cambios si no está en el catálogo)."""
    for patron, reemplazo in MENSAJES:
        mensaje = patron.sub(reemplazo, mensaje)  # type: ignore[arg-type]
    return mensaje.replace(".. ¿", ". ¿")


def describir_rango(tipo: Any) -> str:
    """``[1 o más]``, ``[hasta 10]``, ``[de 1 a 10]`` en lugar de ``x>=1``..."""
    minimo, maximo = tipo.min, tipo.max
    if minimo is None:
        return f"menor que {maximo}" if tipo.max_open else f"hasta {maximo}"
    if maximo is None:
        return f"mayor que {minimo}" if tipo.min_open else f"{minimo} o más"
    if not tipo.min_open and not tipo.max_open:
        return f"de {minimo} a {maximo}"
    izq = "mayor que" if tipo.min_open else "desde"
    der = "menor que" if tipo.max_open else "hasta"
    return f"{izq} {minimo} y {der} {maximo}"


def _titulos_rich() -> None:
    from typer import rich_utils as ru

    ru.ARGUMENTS_PANEL_TITLE = "Argumentos"
    ru.OPTIONS_PANEL_TITLE = "Opciones"
    ru.COMMANDS_PANEL_TITLE = "Comandos"
    ru.DEFAULT_STRING = "[por defecto: {}]"
    ru.REQUIRED_LONG_STRING = "[obligatorio]"
    ru.ENVVAR_STRING = "[variable: {}]"
    ru.DEPRECATED_STRING = "(obsoleto) "
    ru.ERRORS_PANEL_TITLE = "Error"
    ru.ABORTED_TEXT = "Cancelado."
    ru.RICH_HELP = "Para ver la ayuda: [blue]{command_path} {help_option}[/]"


def _titulos_si_cargado() -> None:
    if "typer.rich_utils" in sys.modules:
        _titulos_rich()


def _gettext(msgid: str) -> str:
    return CATALOGO.get(msgid, msgid)


def instalar() -> None:
    global _instalado
    if _instalado:
        return
    _instalado = True
    import typer.core as tcore
    from typer._click import core as ccore
    from typer._click import exceptions as cexc
    from typer._click import formatting
    from typer._click import types as ctypes

    # 1. gettext de Typer.
    tcore._ = _gettext  # type: ignore[attr-defined]

    # 2. La opción de ayuda.
    original_help = ccore.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        opcion = original_help(self, ctx)
        if opcion is not None:
            opcion.help = "Muestra esta ayuda y termina."
        return opcion

    ccore.Command.get_help_option = get_help_option  # type: ignore[method-assign]

    # 3. La línea de uso ("Uso: amauta db [OPCIONES] COMANDO [ARGS]...").
    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = (
            args.replace("[OPTIONS]", "[OPCIONES]")
            .replace("COMMAND [ARGS]...", "COMANDO [ARGS]...")
        )
        original_usage(self, prog, args, "Uso: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    # Un error de uso con Rich imprime el uso (ctx.get_usage) antes que la pista de ayuda:
    # ahí Rich ya está cargado y se fijan sus textos en español, sin cargarlo al arrancar.
    original_get_usage = ccore.Context.get_usage

    def get_usage(self: Any) -> str:
        _titulos_si_cargado()
        return original_get_usage(self)

    ccore.Context.get_usage = get_usage  # type: ignore[method-assign]

    for cls in (tcore.TyperGroup, tcore.TyperCommand):
        original_format = cls.format_help

        def format_help(self: Any, ctx: Any, formatter: Any, _orig: Any = original_format) -> None:
            _titulos_rich()
            _orig(self, ctx, formatter)

        cls.format_help = format_help  # type: ignore[method-assign]

    # 4. Los mensajes de error de click, traducidos sobre su texto final.
    for nombre in dir(cexc):
        cls = getattr(cexc, nombre)
        if not (isinstance(cls, type) and issubclass(cls, cexc.ClickException)):
            continue
        if "format_message" not in vars(cls) and cls is not cexc.ClickException:
            continue
        original_fm = cls.format_message

        def format_message(self: Any, _orig: Any = original_fm) -> str:
            return traducir(_orig(self))

        cls.format_message = format_message  # type: ignore[method-assign]

    def show(self: Any, file: Any = None) -> None:
        from typer._click._compat import get_text_stderr
        from typer._click.utils import echo

        file = file or get_text_stderr()
        color = None
        if self.ctx is not None:
            color = self.ctx.color
            pista = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                pista = f"Para ver la ayuda: {self.ctx.command_path} {self.ctx.help_option_names[0]}\n"
            echo(f"{self.ctx.get_usage()}\n{pista}", file=file, color=color)
        echo(f"Error: {self.format_message()}", file=file, color=color)

    cexc.UsageError.show = show  # type: ignore[method-assign]

    # Los errores del analizador (una opción sin su valor) no traen el contexto: sin él no se
    # muestran la línea de uso ni la pista de ayuda.
    original_parse = ccore.Command.parse_args

    def parse_args(self: Any, ctx: Any, args: list[str]) -> list[str]:
        try:
            return original_parse(self, ctx, args)
        except cexc.UsageError as e:
            if e.ctx is None:
                e.ctx, e.cmd = ctx, ctx.command
            raise

    ccore.Command.parse_args = parse_args  # type: ignore[method-assign]

    # 5. Marcadores de tipo (TEXTO, ENTERO, RUTA...) y rangos en la ayuda. Los tipos que
    # ya dan el suyo (las opciones de un Choice, los formatos de fecha) lo conservan.
    def get_metavar(self: Any, param: Any, ctx: Any) -> str | None:
        return MARCADORES.get(self.name)

    ctypes.ParamType.get_metavar = get_metavar  # type: ignore[method-assign]
    ctypes._NumberRangeBase._describe_range = describir_rango  # type: ignore[method-assign]

    # Un argumento se muestra por su nombre (ARCHIVO), sin el tipo pegado (ARCHIVO:RUTA).
    original_arg_metavar = tcore.TyperArgument.make_metavar

    def make_metavar(self: Any, ctx: Any, *, usage: bool = False) -> str:
        texto = original_arg_metavar(self, ctx, usage=usage)
        if self.metavar is None and type(self.type).get_metavar is get_metavar:
            marcador = MARCADORES.get(self.type.name)
            if marcador:
                texto = texto.replace(f":{marcador}", "")
        return texto

    tcore.TyperArgument.make_metavar = make_metavar  # type: ignore[method-assign]

    # 6. Autocompletado: los textos de --install-completion y --show-completion.
    _completado_en_espanol()


def _completado_en_espanol() -> None:
    from typer import completion

    textos = {
        "install_completion": "Instala el autocompletado para la terminal actual.",
        "show_completion": "Muestra el script de autocompletado de la terminal actual, para "
        "copiarlo o adaptar la instalación.",
    }
    for funcion in (
        completion._install_completion_placeholder_function,
        completion._install_completion_no_auto_placeholder_function,
    ):
        import inspect

        for nombre, parametro in inspect.signature(funcion).parameters.items():
            if nombre in textos:
                parametro.default.help = textos[nombre]


def sugerir(nombre: str, posibles: list[str]) -> str:
    """`` ¿Quiso decir 'usuarios'?`` para un comando mal escrito (o cadena vacía)."""
    parecidos = get_close_matches(nombre, posibles)
    if not parecidos:
        return ""
    return " ¿Quiso decir " + " o ".join(f"'{p}'" for p in parecidos) + "?"
