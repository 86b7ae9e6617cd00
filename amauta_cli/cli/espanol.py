"""La ayuda de Typer en español ("Opciones", "Comandos", "Muestra esta ayuda y termina").

Typer 0.28 no trae traducciones: se ajustan sus textos fijos. Los títulos de los
paneles de Rich se fijan recién al formatear una ayuda, para no importar Rich al arrancar.
"""

from __future__ import annotations

from typing import Any

_instalado = False


def _titulos_rich() -> None:
    from typer import rich_utils as ru

    ru.ARGUMENTS_PANEL_TITLE = "Argumentos"
    ru.OPTIONS_PANEL_TITLE = "Opciones"
    ru.COMMANDS_PANEL_TITLE = "Comandos"
    ru.DEFAULT_STRING = "[por defecto: {}]"
    ru.REQUIRED_LONG_STRING = "[obligatorio]"
    ru.ENVVAR_STRING = "[variable: {}]"
    ru.DEPRECATED_STRING = "(obsoleto) "


def instalar() -> None:
    global _instalado
    if _instalado:
        return
    _instalado = True
    from typer import core as tcore
    from typer._click import core as ccore
    from typer._click import formatting

    original_help = ccore.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        opcion = original_help(self, ctx)
        if opcion is not None:
            opcion.help = "Muestra esta ayuda y termina."
        return opcion

    ccore.Command.get_help_option = get_help_option  # type: ignore[method-assign]

    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = (
            args.replace("[OPTIONS]", "[OPCIONES]")
            .replace("COMMAND [ARGS]...", "COMANDO [ARGS]...")
        )
        original_usage(self, prog, args, "Uso: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    for cls in (tcore.TyperGroup, tcore.TyperCommand):
        original_format = cls.format_help

        def format_help(self: Any, ctx: Any, formatter: Any, _orig: Any = original_format) -> None:
            _titulos_rich()
            _orig(self, ctx, formatter)

        cls.format_help = format_help  # type: ignore[method-assign]
