from ensemble_shared.serve import serve

serve("ensemble_console.main:create_app")
