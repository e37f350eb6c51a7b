"""ember.nn.utils (= torch.nn.utils) (being written)"""
