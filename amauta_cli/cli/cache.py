"""``amauta cache``: la caché de Redis de la plataforma (estado y limpieza)."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, OpcionSi, confirmar

app = typer.Typer(
    help=(
        "La caché de Redis de la aplicación web: estado (servidor, memoria, claves por patrón) "
        "y limpiar (SCAN + UNLINK de los patrones configurados). Se configura con "
        "AMAUTA_REDIS_URL o la sección cache del archivo de ajustes."
    ),
    no_args_is_help=True,
)


@app.command("estado")
def estado(formato: OpcionFormato = Formato.tabla) -> None:
    """Servidor, memoria, claves totales y claves de cada patrón configurado."""
    from amauta_cli import cache, salida
    from amauta_cli.salida import Campo, Columna, Ficha, Vista

    e = cache.estado()
    ficha = Ficha(
        titulo="Caché de Redis",
        campos=[
            Campo("url", "Servidor", e.url, "codigo"),
            Campo("version", "Versión de Redis", e.version),
            Campo("modo", "Modo", e.modo),
            Campo("memoria_usada", "Memoria usada", e.memoria_usada, "tamano"),
            Campo(
                "memoria_maxima",
                "Memoria máxima",
                e.memoria_maxima or None,  # vacío: sin límite (maxmemory 0)
                "tamano",
            ),
            Campo("politica", "Política al llenarse", e.politica),
            Campo("claves", "Claves en la base", e.claves_totales, "entero"),
            Campo("canal", "Canal de cambios", e.canal, "codigo"),
        ],
    )
    vista = Vista(
        titulo="Claves por patrón",
        columnas=[
            Columna("patron", "Patrón", "codigo", prioridad=0),
            Columna("tablas", "Tablas", "nombre"),
            Columna("claves", "Claves", "entero", prioridad=0),
        ],
        filas=[{"patron": p, "tablas": t, "claves": n} for p, t, n in e.patrones],
        clave_json="patrones",
        vacio="No hay patrones configurados.",
    )
    salida.emitir([ficha, vista], formato)


@app.command("limpiar")
def limpiar(
    patron: Annotated[
        Optional[List[str]],
        typer.Option(
            "--patron",
            "-p",
            help=(
                "Patrón de claves a borrar (glob de Redis, p. ej. 'amauta:asistencia:*'); "
                "repetible. Sin él, todos los patrones configurados."
            ),
            show_default=False,
        ),
    ] = None,
    si: OpcionSi = False,
) -> None:
    """Borra las claves de los patrones (SCAN + UNLINK; nunca KEYS ni FLUSHALL)."""
    from amauta_cli import cache, salida, textos
    from amauta_cli.cli.comun import error_uso

    cfg = cache.exigir_configuracion()
    patrones = [p.strip() for p in (patron or []) if p is not None]
    if any(not p for p in patrones):
        error_uso("--patron no puede estar vacío.")
    if not patrones:
        patrones = cfg.todos_los_patrones
    if not patrones:
        salida.info("No hay patrones configurados: no se borró nada.")
        return
    confirmar(
        f"Se borrarán de {cfg.url_enmascarada} las claves de {', '.join(patrones)}. ¿Continuar?",
        si,
    )
    r = cache.limpiar(patrones, cfg)
    for p in patrones:
        salida.info(f"  {p}: {textos.plural(r.por_patron.get(p, 0), 'clave borrada', 'claves borradas')}")
    salida.exito(
        f"Caché de Redis ({r.url}): {textos.plural(r.borradas, 'clave borrada', 'claves borradas')}."
    )
