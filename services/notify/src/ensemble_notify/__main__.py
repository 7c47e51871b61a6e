from ensemble_shared.serve import serve

serve("ensemble_notify.main:create_app")
