from ensemble_shared.serve import serve

serve("ensemble_feedback.main:create_app")
