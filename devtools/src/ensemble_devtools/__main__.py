from ensemble_devtools.cli import app

app()
