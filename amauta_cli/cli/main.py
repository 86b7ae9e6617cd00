"""Punto de entrada de ``amauta``: la aplicación Typer raíz y el manejo de errores.

Cada grupo de comandos vive en su propio módulo (``cli/db.py``, ``cli/usuarios.py``...)
y se registra abajo. Los módulos de ``cli/`` solo importan Typer a nivel de módulo;
SQLAlchemy, Alembic, bcrypt y Rich se importan dentro de los comandos, para que
``amauta --help`` arranque rápido.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any, Optional

import typer
import typer.main
from typer.core import TyperGroup

from amauta_cli import __version__
from amauta_cli.cli import comun, espanol
from amauta_cli.errores import AmautaError


espanol.instalar()


class GrupoAmauta(TyperGroup):
    """La raíz: carga los grupos de comandos a demanda y convierte los errores en un mensaje
    en español y un código de salida, sin traceback."""

    _listando = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *GRUPOS]

    def get_command(self, ctx: Any, nombre: str) -> Any:
        comando = super().get_command(ctx, nombre)
        if comando is None and nombre in GRUPOS:
            comando = _grupo(nombre, resumen=self._listando)
        return comando

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # Typer sugiere comandos parecidos solo entre los ya cargados: aquí, entre todos.
        from typer._click.exceptions import UsageError

        try:
            return super().resolve_command(ctx, args)
        except UsageError as e:
            if args and "¿Quiso decir" not in e.message and "Did you mean" not in e.message:
                e.message = e.message.rstrip() + espanol.sugerir(args[0], self.list_commands(ctx))
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # Para listar los grupos en la ayuda alcanza su nombre y su texto de ayuda.
        self._listando = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listando = False

    def invoke(self, ctx: Any) -> Any:
        try:
            resultado = super().invoke(ctx)
            # Lo que quede en el búfer se escribe aquí, donde un disco lleno o una salida
            # cerrada todavía se pueden informar (al salir de Python ya no).
            sys.stdout.flush()
            return resultado
        except AmautaError as e:
            _mostrar_error(e)
            raise typer.Exit(e.codigo_salida) from None
        except BrokenPipeError:
            # stdout se cerró antes de tiempo (`amauta usuarios exportar | head`): no es un
            # error de amauta. Se descarta lo que quede por escribir y se sale en silencio.
            _descartar_stdout()
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            _mostrar_texto("Interrumpido por el usuario; la transacción en curso se deshizo.")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - último recurso: nunca un traceback
            if _es_de_click(e):
                raise  # errores de uso (p. ej. falta una opción obligatoria): click sale con 2
            traducido = _traducir(e)
            if traducido is not None:
                if isinstance(e, OSError) and e.filename is None:
                    _descartar_stdout()  # la salida falló: al salir, no reintentar escribirla
                _mostrar_error(traducido)
                raise typer.Exit(1) from None
            if os.environ.get("AMAUTA_DEBUG"):
                raise
            detalle = comun.contexto().enmascarar(f"{type(e).__name__}: {e}")
            _mostrar_texto(
                "Error inesperado de amauta. Nada quedó a medias: la transacción se deshizo.\n"
                f"Detalle: {detalle.splitlines()[0] if detalle else ''}\n"
                "Defina AMAUTA_DEBUG=1 para ver el detalle completo y repórtelo."
            )
            raise typer.Exit(1) from None


def _descartar_stdout() -> None:
    try:
        nulo = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nulo, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout sin descriptor (p. ej. en pruebas)
        pass


def _es_de_click(e: Exception) -> bool:
    """Excepciones de click (Exit, Abort, UsageError y subclases como MissingParameter).

    Por nombre en la jerarquía: Typer trae su propio click (``typer._click``).
    """
    return any(c.__name__ in ("ClickException", "Exit", "Abort") for c in type(e).__mro__)


def _traducir(e: Exception) -> AmautaError | None:
    """Las fallas del entorno (conexión, servidor, disco, permisos), en español; None si no."""
    if isinstance(e, OSError) and not type(e).__module__.startswith(("psycopg", "sqlite3")):
        from amauta_cli.fallas import falla_de_archivo

        return falla_de_archivo(e)
    if not type(e).__module__.startswith(("sqlalchemy", "psycopg", "sqlite3")):
        return None
    from amauta_cli.db import error_de_conexion
    from amauta_cli.services.accesos import traducir_error

    propio = traducir_error(e)  # permisos y seguridad por filas (credenciales de escuela)
    if propio is not None:
        return propio
    objetivo = comun.contexto().objetivo_si_valido()
    if objetivo is None:
        return None
    return error_de_conexion(e, objetivo)


def _mostrar_error(e: AmautaError) -> None:
    from amauta_cli import salida

    ctx = comun.contexto()
    salida.error(ctx.enmascarar(e.mensaje), [ctx.enmascarar(p) for p in e.problemas])


def _mostrar_texto(texto: str) -> None:
    from amauta_cli import salida

    salida.error(texto)


app = typer.Typer(
    name="amauta",
    cls=GrupoAmauta,
    help=(
        "Administración de la base de datos de Amauta: esquema y migraciones, datos de "
        "desarrollo, usuarios, grupos, asistencia, calificaciones y respaldos.\n\n"
        "La base se elige con --db-url, AMAUTA_DATABASE_URL o DATABASE_URL; sin ninguna, "
        "se usa un archivo SQLite en ~/.local/share/amauta/amauta.db."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(valor: bool) -> None:
    if valor:
        typer.echo(f"amauta {__version__}")
        raise typer.Exit()


@app.callback()
def principal(
    db_url: Annotated[
        Optional[str],
        typer.Option(
            "--db-url",
            metavar="URL",
            help=(
                "URL de la base (postgresql://usuario@host/base o sqlite:///archivo.db). "
                "Para no exponer la contraseña en la línea de comandos, use "
                "AMAUTA_DATABASE_URL, PGPASSWORD o ~/.pgpass."
            ),
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Muestra la versión."),
    ] = False,
) -> None:
    comun.fijar_contexto(db_url)


#: Grupos de comandos: nombre → módulo con su ``app`` de Typer. Se convierten a comandos
#: de click recién cuando se usan (ver ``GrupoAmauta.get_command``): convertir los ~50
#: comandos en cada arranque costaba ~40 ms de ``amauta --help``.
GRUPOS: dict[str, str] = {
    "db": "amauta_cli.cli.db",
    "usuarios": "amauta_cli.cli.usuarios",
    "instituciones": "amauta_cli.cli.instituciones",
    "grupos": "amauta_cli.cli.grupos",
    "asistencia": "amauta_cli.cli.asistencia",
    "calificaciones": "amauta_cli.cli.calificaciones",
    "categorias": "amauta_cli.cli.categorias",
    "cursos": "amauta_cli.cli.cursos",
    "lecciones": "amauta_cli.cli.lecciones",
    "inscripciones": "amauta_cli.cli.inscripciones",
    "progreso": "amauta_cli.cli.progreso",
    "comunicados": "amauta_cli.cli.comunicados",
    "accesos": "amauta_cli.cli.accesos",
    "calendario": "amauta_cli.cli.calendario",
    "cache": "amauta_cli.cli.cache",
}
_convertidos: dict[str, Any] = {}


def _grupo(nombre: str, resumen: bool) -> Any:
    """El grupo de click de ``nombre``; con ``resumen``, solo su nombre y su ayuda (para listarlo)."""
    import importlib

    modulo = importlib.import_module(GRUPOS[nombre])
    if resumen:
        return TyperGroup(name=nombre, help=modulo.app.info.help)
    if nombre not in _convertidos:
        grupo = typer.main.get_command(modulo.app)
        grupo.name = nombre
        _convertidos[nombre] = grupo
    return _convertidos[nombre]


def _registrar() -> None:
    from amauta_cli.cli import auditoria, seed

    app.command("seed")(seed.seed)  # un solo comando, sin subcomandos
    app.command("auditoria")(auditoria.auditoria)


_registrar()


def main() -> None:
    _recolector_de_proceso_corto()
    app(prog_name="amauta")


def _recolector_de_proceso_corto() -> None:
    """El recolector de ciclos de Python, ajustado a un proceso que vive segundos y arma decenas
    de miles de filas: con los umbrales por omisión (700, 10, 10), cada tanto recorre TODOS los
    objetos vivos, y con 68.000 filas de ``desaprobados`` eso era el 40 % del dibujo de la tabla.
    Lo cargado al arrancar (módulos, clases) pasa a la generación permanente, y las colecciones
    completas se espacian; los ciclos se siguen recogiendo."""
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
